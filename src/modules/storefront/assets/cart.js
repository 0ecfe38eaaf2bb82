// The cart panel: hydrates the server-rendered page with the shopper's cart and CSRF token, and adds to the
// cart without a page load. Text only goes in through textContent, never as markup.
(() => {
  const panel = () => document.getElementById('cart-panel');
  const render = (cart) => {
    for (const input of document.querySelectorAll('input[name="_csrf"]')) input.value = cart.csrf_token;
    for (const count of document.querySelectorAll('[data-cart-count]')) count.textContent = String(cart.count);
    const list = document.querySelector('[data-cart-items]');
    if (list) {
      list.replaceChildren(
        ...cart.lines.map((line) => {
          const item = document.createElement('li');
          item.textContent = `${line.product_title} ${line.title} × ${line.quantity} · ${line.line_total}`;
          return item;
        }),
      );
    }
    const subtotal = document.querySelector('[data-cart-subtotal]');
    if (subtotal) subtotal.textContent = cart.subtotal;
    document.documentElement.dataset.cartReady = 'true';
  };
  const load = () =>
    fetch('/cart.json', { credentials: 'same-origin', headers: { accept: 'application/json' } })
      .then((response) => (response.ok ? response.json() : Promise.reject(response.status)))
      .then(render);
  document.addEventListener('submit', (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute('data-add-to-cart')) return;
    event.preventDefault();
    fetch(form.action, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(new FormData(form)),
    })
      .then((response) => (response.ok ? response.json() : Promise.reject(response.status)))
      .then((cart) => {
        render(cart);
        panel()?.classList.add('open');
      })
      .catch(() => form.submit());
  });
  document.addEventListener('click', (event) => {
    const toggle = event.target instanceof Element && event.target.closest('[data-cart-toggle]');
    if (!toggle) return;
    event.preventDefault();
    panel()?.classList.toggle('open');
  });
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', load);
  else load();
})();

// The checkout steps: address → shipping rates (from the server) → payment → commit with an Idempotency-Key made
// once per page, so a double click or a retried request never places two orders. Card numbers never leave the
// browser: the test provider's well-known numbers become test tokens here, Stripe's card field makes a
// PaymentMethod with Stripe directly.
(() => {
  const root = document.querySelector('[data-checkout]');
  if (!root) return;
  const currency = root.dataset.currency;
  const money = (minor) => new Intl.NumberFormat('en-US', { style: 'currency', currency }).format(minor / 100);
  const steps = Object.fromEntries([...root.querySelectorAll('[data-step]')].map((form) => [form.dataset.step, form]));
  const key = crypto.randomUUID();
  let address;
  let rates = [];
  const csrf = () => steps.address.elements._csrf.value;
  const show = (name) => {
    for (const [step, form] of Object.entries(steps)) form.hidden = step !== name;
    steps[name].querySelector('input, button')?.focus();
  };
  const fail = (form, text) => {
    form.querySelector('[data-error]').textContent = text;
    form.setAttribute('aria-busy', 'false');
  };
  const problemText = (problem) =>
    problem.errors?.map((error) => `${error.field.split('/').pop().replace('_', ' ')} ${error.message}`).join('; ') || problem.detail || problem.title;
  const post = (url, body, headers = {}) =>
    fetch(url, { method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/json', accept: 'application/json', ...headers }, body: JSON.stringify(body) }).then(async (response) => {
      const data = await response.json().catch(() => ({}));
      if (!response.ok) throw data;
      return data;
    });
  const totals = (rate) => {
    for (const node of root.querySelectorAll('[data-shipping]')) node.textContent = money(rate.amount_minor);
    for (const node of root.querySelectorAll('[data-tax]')) node.textContent = money(rate.tax_minor);
    for (const node of root.querySelectorAll('[data-total]')) node.textContent = money(rate.total_minor);
  };
  const chosen = () => rates.find((rate) => rate.id === steps.shipping.elements.shipping_method?.value);

  steps.address.addEventListener('submit', (event) => {
    event.preventDefault();
    const form = steps.address;
    if (!form.reportValidity()) return;
    const values = Object.fromEntries(new FormData(form));
    address = { name: values.name, line1: values.line1, city: values.city, postal_code: values.postal_code, country: values.country };
    if (values.line2) address.line2 = values.line2;
    if (values.region) address.region = values.region;
    form.setAttribute('aria-busy', 'true');
    post('/checkout/shipping-rates', { _csrf: csrf(), shipping_address: address })
      .then((preview) => {
        rates = preview.rates;
        const list = steps.shipping.querySelector('[data-rates]');
        list.replaceChildren(
          ...rates.map((rate, index) => {
            const label = document.createElement('label');
            const input = document.createElement('input');
            Object.assign(input, { type: 'radio', name: 'shipping_method', value: rate.id, checked: index === 0 });
            input.addEventListener('change', () => totals(rate));
            label.append(input, ` ${rate.name} · ${rate.amount_minor === 0 ? 'Free' : money(rate.amount_minor)}`);
            return label;
          }),
        );
        if (rates[0]) totals(rates[0]);
        form.setAttribute('aria-busy', 'false');
        fail(form, '');
        show('shipping');
      })
      .catch((problem) => fail(form, problemText(problem)));
  });

  steps.shipping.addEventListener('submit', (event) => {
    event.preventDefault();
    if (!chosen()) return fail(steps.shipping, 'Choose a shipping method.');
    show('payment');
  });
  for (const back of root.querySelectorAll('[data-back]')) back.addEventListener('click', () => show(back.closest('[data-step]') === steps.payment ? 'shipping' : 'address'));

  const TEST_CARDS = { 4242424242424242: 'tok_visa', 4000000000000002: 'tok_chargeDeclined', 4000000000009995: 'tok_insufficientFunds' };
  let stripe;
  let card;
  if (root.dataset.provider === 'stripe' && window.Stripe) {
    stripe = window.Stripe(root.dataset.publishableKey);
    card = stripe.elements().create('card');
    card.mount(root.querySelector('[data-stripe-card]'));
  }
  const paymentMethod = async () => {
    if (stripe) {
      const { paymentMethod: method, error } = await stripe.createPaymentMethod({ type: 'card', card });
      if (error) throw { detail: error.message };
      return method.id;
    }
    const number = steps.payment.elements.card_number.value.replace(/\s+/g, '');
    const token = TEST_CARDS[number];
    if (!token) throw { detail: 'Use one of the test card numbers shown above.' };
    return token;
  };

  steps.payment.addEventListener('submit', (event) => {
    event.preventDefault();
    const form = steps.payment;
    if (form.getAttribute('aria-busy') === 'true') return;
    form.setAttribute('aria-busy', 'true');
    form.querySelector('[data-pay]').disabled = true;
    const rate = chosen();
    paymentMethod()
      .then((method) =>
        post(
          '/checkout/commit',
          {
            _csrf: csrf(),
            email: steps.address.elements.email.value,
            shipping_address: address,
            shipping_method: rate.id,
            payment_method: method,
            expected_total_minor: rate.total_minor,
          },
          { 'idempotency-key': key },
        ),
      )
      .then(async (order) => {
        if (order.client_secret && stripe) await stripe.handleNextAction({ clientSecret: order.client_secret });
        window.location.assign(`/checkout/confirmation/${order.order_id}`);
      })
      .catch((problem) => {
        form.querySelector('[data-pay]').disabled = false;
        fail(form, problemText(problem));
      });
  });
})();

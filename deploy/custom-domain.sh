#!/usr/bin/env bash
# TLS and routing for a merchant's custom domain, once the platform has verified it (the store's DNS TXT record):
#
#   deploy/custom-domain.sh add <domain>      an Ingress for the domain; cert-manager issues its certificate over
#                                             ACME HTTP-01 (Issuer letsencrypt-http01) and renews it
#   deploy/custom-domain.sh remove <domain>   the Ingress and the certificate's Secret
#   deploy/custom-domain.sh render <domain>   print the Ingress without applying it
#
# For a domain whose provider blocks HTTP-01, set ISSUER=letsencrypt-dns01 (the DNS provider must serve that zone).
# Environment: NAMESPACE (village-storefront), KUBECTL (kubectl), ISSUER (letsencrypt-http01).
set -euo pipefail

NAMESPACE=${NAMESPACE:-village-storefront}
KUBECTL=${KUBECTL:-kubectl}
ISSUER=${ISSUER:-letsencrypt-http01}

usage() { sed -n '2,11p' "$0" >&2; exit 2; }
[ $# -eq 2 ] || usage
domain=$(printf '%s' "$2" | tr '[:upper:]' '[:lower:]')
if ! printf '%s' "$domain" | grep -Eq '^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$'; then
  echo "not a domain name: $2" >&2
  exit 2
fi
# Readable and collision-free: "shop-example.org" and "shop.example-org" must never share an Ingress.
name="custom-domain-$(printf '%s' "$domain" | tr . - | cut -c1-40)-$(printf '%s' "$domain" | sha256sum | cut -c1-10)"

render() {
  cat <<YAML
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: $name
  namespace: $NAMESPACE
  labels:
    app.kubernetes.io/part-of: village-storefront
    village-storefront/custom-domain: "true"
  annotations:
    village-storefront/domain: $domain
    cert-manager.io/issuer: $ISSUER
    nginx.ingress.kubernetes.io/ssl-redirect: "true"
    nginx.ingress.kubernetes.io/force-ssl-redirect: "true"
    nginx.ingress.kubernetes.io/hsts: "true"
    nginx.ingress.kubernetes.io/proxy-body-size: 64m
spec:
  ingressClassName: nginx
  tls:
    - hosts:
        - $domain
      secretName: $name-tls
  rules:
    - host: $domain
      http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service:
                name: web
                port:
                  name: http
YAML
}

case "$1" in
  render) render ;;
  add) render | "$KUBECTL" apply -f - ;;
  remove)
    "$KUBECTL" -n "$NAMESPACE" delete ingress "$name" --ignore-not-found
    "$KUBECTL" -n "$NAMESPACE" delete secret "$name-tls" --ignore-not-found
    ;;
  *) usage ;;
esac

#!/usr/bin/env bash
# Blue/green releases of Village Storefront with kubectl (docs/operations/deploy.md).
#
#   deploy/bluegreen.sh deploy <overlay>   migrate, start the release on the idle colour, smoke-test it, switch
#                                          traffic, roll the workers; any failure puts traffic back where it was
#   deploy/bluegreen.sh rollback           send traffic back to the previous colour (kept running until retired)
#   deploy/bluegreen.sh retire             scale the colour without traffic to zero
#   deploy/bluegreen.sh status             which colour is live, and the replicas of both
#
# The overlay's `images:` names the release (set by CI: kustomize edit set image). Environment: NAMESPACE
# (village-storefront), KUBECTL (kubectl), ROLLOUT_TIMEOUT (600s), MIGRATION_TIMEOUT_S (900), POLL_S (5).
set -euo pipefail

NAMESPACE=${NAMESPACE:-village-storefront}
KUBECTL=${KUBECTL:-kubectl}
ROLLOUT_TIMEOUT=${ROLLOUT_TIMEOUT:-600s}
MIGRATION_TIMEOUT_S=${MIGRATION_TIMEOUT_S:-900}
POLL_S=${POLL_S:-5}
COLOR_LABEL=village-storefront/color
WORKERS=(worker-critical worker-default worker-bulk media-worker)

k() { "$KUBECTL" -n "$NAMESPACE" "$@"; }
log() { printf '[bluegreen] %s\n' "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }
other() { if [ "$1" = blue ]; then echo green; else echo blue; fi; }

live_color() { k get service web -o "jsonpath={.spec.selector.${COLOR_LABEL//./\\.}}" 2>/dev/null || true; }

switch_to() {
  log "switching traffic to $1"
  k patch service web --type=merge -p "{\"spec\":{\"selector\":{\"$COLOR_LABEL\":\"$1\"}}}" >/dev/null
}

# Applies the rendered objects that match a label selector (server-side: large dashboards fit).
apply_selected() { k apply --server-side --force-conflicts -f "$RENDERED" -l "$1" >/dev/null; }

smoke() { # <colour> <service>
  local image host
  image=$(k get deployment "web-$1" -o 'jsonpath={.spec.template.spec.containers[0].image}')
  host=$(k get configmap village-storefront-config -o 'jsonpath={.data.PLATFORM_DOMAIN}')
  log "smoke test against $2 ($image)"
  local pod
  pod="smoke-$1-$(date +%s)"
  k run "$pod" --rm -i --quiet --restart=Never --image="$image" \
    --labels=app.kubernetes.io/component=smoke,app.kubernetes.io/part-of=village-storefront \
    --override-type=strategic --overrides="$(smoke_overrides "$pod")" \
    --command -- node scripts/smoke.ts "http://$2:8080" "$host"
}

# The smoke pod must pass the namespace's restricted Pod Security Standard like every other pod. kubectl run
# names the container after the pod; the strategic merge finds it by that name.
smoke_overrides() {
  printf '{"apiVersion":"v1","spec":{"automountServiceAccountToken":false,%s,"containers":[{"name":"%s",%s,%s}]}}' \
    '"securityContext":{"runAsNonRoot":true,"runAsUser":1000,"runAsGroup":1000,"seccompProfile":{"type":"RuntimeDefault"}}' \
    "$1" \
    '"securityContext":{"allowPrivilegeEscalation":false,"readOnlyRootFilesystem":true,"capabilities":{"drop":["ALL"]}}' \
    '"resources":{"requests":{"cpu":"50m","memory":"64Mi"},"limits":{"cpu":"200m","memory":"128Mi"}}'
}

migrate() {
  log "running migrations"
  k delete job migrate --ignore-not-found --wait=true >/dev/null
  apply_selected app.kubernetes.io/component=migrate
  local waited=0 state
  while :; do
    state=$(k get job migrate -o 'jsonpath={.status.conditions[?(@.status=="True")].type}')
    case " $state " in
      *" Complete "*) log "migrations complete"; return 0 ;;
      *" Failed "*) k logs job/migrate --tail=100 >&2 || true; die "the migration Job failed; traffic was not touched" ;;
    esac
    [ "$waited" -ge "$MIGRATION_TIMEOUT_S" ] && die "migrations did not finish within ${MIGRATION_TIMEOUT_S}s"
    sleep "$POLL_S"
    waited=$((waited + POLL_S))
  done
}

# Failure before the switch: the live colour never stopped serving; the idle one is stopped again.
abandon_idle() {
  log "rolling back: $IDLE gets no traffic and is scaled to zero"
  k scale deployment "web-$IDLE" --replicas=0 >/dev/null || true
  die "$1"
}

# Failure after the switch: traffic goes back to the colour that had it.
revert_switch() {
  switch_to "$LIVE"
  abandon_idle "$1"
}

deploy() {
  local overlay=${1:?usage: bluegreen.sh deploy <overlay>}
  RENDERED=$(mktemp)
  trap 'rm -f "$RENDERED"' EXIT
  "$KUBECTL" kustomize "$overlay" >"$RENDERED"

  LIVE=$(live_color)
  FIRST=
  if [ -z "$LIVE" ]; then
    LIVE=green # first release: nothing is live, blue starts
    FIRST=1
    log "first release: deploying to blue"
  fi
  IDLE=$(other "$LIVE")
  [ -n "$FIRST" ] || log "live colour: $LIVE; deploying to $IDLE"

  # Configuration, secret references, policies, certificates and monitoring; then the schema.
  apply_selected 'app.kubernetes.io/component notin (web,worker,media-worker,migrate)'
  migrate

  # The idle colour with its Service, autoscaler and budget, and the shared Ingress; never the live colour.
  apply_selected "app.kubernetes.io/component=web,$COLOR_LABEL=$IDLE"
  apply_selected "app.kubernetes.io/component=web,!$COLOR_LABEL,village-storefront/traffic!=router"
  local replicas
  replicas=$(k get deployment "web-$LIVE" -o 'jsonpath={.spec.replicas}' 2>/dev/null || true)
  if [ -z "$replicas" ] || [ "$replicas" = 0 ]; then
    replicas=$(k get hpa "web-$IDLE" -o 'jsonpath={.spec.minReplicas}')
  fi
  log "starting $replicas replicas of web-$IDLE"
  k scale deployment "web-$IDLE" --replicas="$replicas" >/dev/null
  k rollout status deployment "web-$IDLE" --timeout="$ROLLOUT_TIMEOUT" || abandon_idle "web-$IDLE did not become ready"
  smoke "$IDLE" "web-$IDLE" || abandon_idle "the smoke test of web-$IDLE failed"

  if [ -n "$FIRST" ]; then
    apply_selected village-storefront/traffic=router # created once, selecting blue; switched by this script only
  else
    switch_to "$IDLE"
  fi
  [ -n "$(k get endpoints web -o 'jsonpath={.subsets[*].addresses[*].ip}')" ] || revert_switch "the web Service has no ready endpoints"
  smoke "$IDLE" web || revert_switch "the smoke test through the web Service failed"

  apply_selected 'app.kubernetes.io/component in (worker,media-worker)'
  local worker
  for worker in "${WORKERS[@]}"; do
    if ! k rollout status deployment "$worker" --timeout="$ROLLOUT_TIMEOUT"; then
      for undo in "${WORKERS[@]}"; do k rollout undo deployment "$undo" >/dev/null || true; done
      if [ -n "$FIRST" ]; then die "$worker did not become ready"; fi
      revert_switch "$worker did not become ready; workers rolled back"
    fi
  done

  local previous=$LIVE
  [ -z "$FIRST" ] || previous=none
  k annotate service web --overwrite "village-storefront/previous-color=$previous" \
    "village-storefront/release=$(k get deployment "web-$IDLE" -o 'jsonpath={.spec.template.spec.containers[0].image}')" >/dev/null
  log "released on $IDLE; $LIVE keeps running for a rollback until 'bluegreen.sh retire'"
}

rollback() {
  local live previous ready
  live=$(live_color)
  [ -n "$live" ] || die "no live colour: nothing to roll back"
  previous=$(other "$live")
  ready=$(k get deployment "web-$previous" -o 'jsonpath={.status.readyReplicas}')
  [ "${ready:-0}" != 0 ] || die "web-$previous runs no ready replica (retired?): deploy the previous release instead"
  switch_to "$previous"
  k annotate service web --overwrite "village-storefront/previous-color=$live" >/dev/null
  log "traffic is back on $previous; workers keep their release (roll them with kubectl rollout undo if needed)"
}

retire() {
  local live
  live=$(live_color)
  [ -n "$live" ] || die "no live colour"
  log "scaling web-$(other "$live") to zero"
  k scale deployment "web-$(other "$live")" --replicas=0 >/dev/null
}

status() {
  local live
  live=$(live_color)
  echo "live: ${live:-none}"
  k get deployments -l app.kubernetes.io/component=web -o 'custom-columns=NAME:.metadata.name,REPLICAS:.spec.replicas,READY:.status.readyReplicas,IMAGE:.spec.template.spec.containers[0].image'
}

case "${1:-}" in
  deploy) shift; deploy "$@" ;;
  rollback) rollback ;;
  retire) retire ;;
  status) status ;;
  *) sed -n '2,12p' "$0" >&2; exit 2 ;;
esac

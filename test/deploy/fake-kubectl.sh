#!/usr/bin/env bash
# A stand-in for kubectl on PATH, for testing deploy/bluegreen.sh and deploy/custom-domain.sh without a
# cluster. It answers from a small cluster state kept as files in FAKE_STATE (live: the colour the web Service
# selects, absent before the first release; hpa-min; replicas/<deployment>; annotations/<key, / as %2F>) and
# records every call in FAKE_LOG (a JSON line each). `kustomize` and `apply` go to fake-kubectl.ts (the real
# kubectl renders; apply evaluates the label selector on the rendered objects). FAKE_FAIL names the step that
# fails: migrate, rollout (the idle web colour), smoke (against the idle colour's Service), routed-smoke
# (through the web Service after the switch) or worker-rollout.
set -euo pipefail

args=()
skip=
for arg in "$@"; do
  if [ -n "$skip" ]; then skip=; continue; fi
  if [ "$arg" = -n ]; then skip=1; continue; fi
  args+=("$arg")
done
case "${args[0]}" in
  kustomize | apply) exec "$FAKE_NODE" "$FAKE_HELPER" "${args[@]}" ;;
esac

json_args() {
  local out='' arg
  for arg in "${args[@]}"; do
    arg=${arg//\\/\\\\}
    arg=${arg//\"/\\\"}
    out+="${out:+,}\"$arg\""
  done
  printf '[%s]' "$out"
}
printf '{"args":%s}\n' "$(json_args)" >>"$FAKE_LOG"

option() { # --name=value or --name value
  local i
  for ((i = 0; i < ${#args[@]}; i++)); do
    case "${args[i]}" in
      "$1="*) printf '%s' "${args[i]#*=}"; return ;;
      "$1") printf '%s' "${args[i + 1]}"; return ;;
    esac
  done
}
fail=${FAKE_FAIL:-}
read_or() { if [ -f "$1" ]; then cat "$1"; else printf '%s' "$2"; fi; }

verb=${args[0]}
kind=${args[1]:-}
name=${args[2]:-}
if [[ "$kind" == */* ]]; then name=${kind#*/}; kind=${kind%%/*}; fi
case "$verb" in
  get)
    jsonpath=$(option -o)
    case "$kind" in
      service) [ -f "$FAKE_STATE/live" ] || exit 1; cat "$FAKE_STATE/live" ;;
      deployment)
        case "$jsonpath" in
          *image*) printf 'ghcr.io/villagecompute/village-storefront:0.1.0' ;;
          *) read_or "$FAKE_STATE/replicas/$name" 0 ;;
        esac ;;
      hpa) cat "$FAKE_STATE/hpa-min" ;;
      configmap) printf 'villagestorefront.dev' ;;
      job) if [ "$fail" = migrate ]; then printf 'Failed'; else printf 'SuccessCriteriaMet Complete'; fi ;;
      endpoints) if [ -f "$FAKE_STATE/live" ]; then printf '10.42.0.7 10.42.1.9'; fi ;;
      *) exit 1 ;;
    esac ;;
  scale)
    mkdir -p "$FAKE_STATE/replicas"
    option --replicas >"$FAKE_STATE/replicas/$name" ;;
  patch)
    [[ "$(option -p)" =~ \"village-storefront/color\":\"([a-z]+)\" ]]
    printf '%s' "${BASH_REMATCH[1]}" >"$FAKE_STATE/live" ;;
  annotate)
    mkdir -p "$FAKE_STATE/annotations"
    for arg in "${args[@]:3}"; do
      [[ "$arg" == *=* ]] || continue
      key=${arg%%=*}
      printf '%s' "${arg#*=}" >"$FAKE_STATE/annotations/${key//\//%2F}"
    done ;;
  rollout)
    sub=$kind
    target=${args[2]:-}
    if [[ "$target" == */* ]]; then target=${target#*/}; else target=${args[3]:-}; fi
    if [ "$sub" = status ] && [ "$fail" = rollout ] && [[ "$target" == web-* ]]; then echo "deployment \"$target\" exceeded its progress deadline"; exit 1; fi
    if [ "$sub" = status ] && [ "$fail" = worker-rollout ] && [ "$target" = worker-default ]; then exit 1; fi ;;
  run)
    url=
    for ((i = 0; i < ${#args[@]}; i++)); do [ "${args[i]}" = scripts/smoke.ts ] && url=${args[i + 1]}; done
    if { [ "$fail" = smoke ] && [[ "$url" == http://web-* ]]; } || { [ "$fail" = routed-smoke ] && [ "$url" = http://web:8080 ]; }; then
      echo '{"check":"ready","ok":false}'; exit 1
    fi
    echo '{"check":"ready","ok":true}' ;;
  delete | logs) ;;
  *) echo "fake kubectl: unsupported ${args[*]}" >&2; exit 1 ;;
esac

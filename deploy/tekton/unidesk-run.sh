#!/bin/sh
# The step of the Tekton Task unidesk-run (deploy/tekton/task-unidesk-run.yaml holds this same
# text as its `script`: deploy/tekton/embed-script copies it in, and
# Tests/CLITests/DeployManifestTests.swift checks they are equal). The
# same file runs as a plain Kubernetes Job (deploy/tekton/job-unidesk-run.yaml mounts it from
# a ConfigMap), so one script serves both. POSIX sh: the image has no bash requirement.
#
# Inputs, as environment variables (the Task sets them from its params):
#   UNIDESK_SOURCE       the checkout (the Task's `source` workspace); every path below is
#                        relative to it, and unidesk runs from it (a saved plan names its
#                        recipe relative to the directory it was made in)
#   UNIDESK_MODE         run | plan | apply
#   UNIDESK_RECIPE       the recipe (run, plan)
#   UNIDESK_POLICY       a policy file (--policy), or empty for none
#   UNIDESK_PLAN_FILE    the saved plan: written by plan (--out), performed by apply
#   UNIDESK_APPROVED_PLAN_DIGEST  apply only, optional: the plan digest the reviewer approved
#                        (the plan run's plan-digest result); apply is refused (exit 2)
#                        unless the plan file's digest is this one
#   UNIDESK_OUTPUT_DIR   where report.json, junit.xml (and plan.md, plan.json's summary) go
#   RESULT_STATUS, RESULT_EXIT_CODE, RESULT_PLAN_DIGEST  files to write the results to
#                        (the Task: $(results.NAME.path); a Job: any writable directory)
#   UNIDESK_STATE_DB     optional, read by unidesk itself (--state-db), from a Secret
#   UNIDESK_STATE_DIR    optional; default: $UNIDESK_OUTPUT_DIR/state
# Arguments: the vars, each NAME=VALUE (the Task's array param `vars`), passed as --var.
#
# Exit code: unidesk's (0 ok, 1 failed, 2 usage error or refused, 3 denied, 4 limit,
# 5 internal error, 6 drift), so the step, the TaskRun and a Job's pod fail exactly when the
# run did. The results are written in every case, from the report: status and exit-code from
# report.json, plan-digest from `unidesk show PLAN --format json`. The image has no jq:
# unidesk reads the JSON itself, with a three-line recipe written next to the report.
set -eu

fail() { echo "unidesk-run: $*" >&2; exit 2; }

source_dir=${UNIDESK_SOURCE:?UNIDESK_SOURCE must name the checkout (the Task sets it to the source workspace)}
mode=${UNIDESK_MODE:-run}
recipe=${UNIDESK_RECIPE:-}
policy=${UNIDESK_POLICY:-}
plan_file=${UNIDESK_PLAN_FILE:-plan.json}
approved=${UNIDESK_APPROVED_PLAN_DIGEST:-}
out=${UNIDESK_OUTPUT_DIR:-.unidesk}
results=${TMPDIR:-/tmp}/unidesk-results
result_status=${RESULT_STATUS:-$results/status}
result_exit=${RESULT_EXIT_CODE:-$results/exit-code}
result_digest=${RESULT_PLAN_DIGEST:-$results/plan-digest}

cd "$source_dir" || fail "cannot enter the source directory $source_dir"
mkdir -p "$out" "$(dirname "$result_status")" "$(dirname "$result_exit")" "$(dirname "$result_digest")"
case $out in /*) state_dir=$out/state ;; *) state_dir=$source_dir/$out/state ;; esac
export UNIDESK_STATE_DIR="${UNIDESK_STATE_DIR:-$state_dir}"
report="$out/report.json"
junit="$out/junit.xml"
rm -f "$report" "$junit" "$out/plan-show.json"

# The report's status and exit_code and the plan's digest, read by unidesk itself (the image
# has no jq): a three-line recipe next to the report prints them, one a line.
read_fields() {
  cat > "$out/results.lua" <<'LUA'
local json, fs = require "unidesk.json", require "unidesk.fs"
local r = fs.exists("report.json") and json.decode(fs.read("report.json")) or {}
local p = fs.exists("plan-show.json") and json.decode(fs.read("plan-show.json")) or {}
print(r.status or "") print(r.exit_code or "") print(p.plan_digest or "")
LUA
  fields=$(unidesk run "$out/results.lua" --state-dir "$results/state" 2>/dev/null) || fields=""
  status=$(printf '%s\n' "$fields" | sed -n 1p)
  exit_code=$(printf '%s\n' "$fields" | sed -n 2p)
  digest=$(printf '%s\n' "$fields" | sed -n 3p)
}

# The results, from the report; with no report (unidesk refused the command line before it
# ran anything, or this script refused), from the exit code, whose meaning is the report's
# status by definition (docs/reports.md).
write_results() {
  code=$1
  read_fields
  if [ -z "$status" ]; then
    case $code in
      0) status=ok ;; 1) status=failed ;; 2) status=usage_error ;; 3) status=denied ;;
      4) status=limit ;; 5) status=internal_error ;; 6) status=drift ;; *) status=killed ;;
    esac
    exit_code=$code
  fi
  printf '%s' "$status" > "$result_status"
  printf '%s' "$exit_code" > "$result_exit"
  printf '%s' "$digest" > "$result_digest"
  echo "unidesk-run: status=$status exit-code=$exit_code plan-digest=${digest:-none} (report $report, JUnit $junit)" >&2
}

# Refusals of this script: exit 2 with the results written, like unidesk's own usage errors.
refuse() { echo "unidesk-run: $*" >&2; write_results 2; exit 2; }

for v in "$@"; do
  case $v in *=*) ;; *) refuse "var '$v' is not NAME=VALUE (the vars param takes one NAME=VALUE per item)" ;; esac
done
# The unidesk command line, built in "$@": each var becomes --var NAME=VALUE.
n=$#
i=0
while [ "$i" -lt "$n" ]; do
  v=$1; shift
  set -- "$@" --var "$v"
  i=$((i + 1))
done
if [ -n "$policy" ]; then set -- "$@" --policy "$policy"; fi

case $mode in
  run)
    [ -n "$recipe" ] || refuse "mode run needs the recipe param (UNIDESK_RECIPE)"
    set -- run "$recipe" "$@" ;;
  plan)
    [ -n "$recipe" ] || refuse "mode plan needs the recipe param (UNIDESK_RECIPE)"
    set -- plan "$recipe" --out "$plan_file" "$@" ;;
  apply)
    [ -f "$plan_file" ] || refuse "mode apply needs the saved plan $plan_file in the source workspace (made by mode plan)"
    if [ -n "$approved" ]; then
      unidesk show "$plan_file" --format json > "$out/plan-show.json" \
        || refuse "unidesk show $plan_file failed: it is not a plan file, or it was changed after unidesk wrote it"
      read_fields
      if [ "$digest" != "$approved" ]; then
        refuse "refused: $plan_file has plan digest $digest, the approved one is $approved; plan again and approve that plan"
      fi
    fi
    set -- apply "$plan_file" "$@" ;;
  *) refuse "mode '$mode' is not run, plan or apply" ;;
esac

# The vars are not echoed: a value may be a secret (unidesk masks what it knows; this line
# would not be masked).
case $mode in apply) what=$plan_file ;; *) what=$recipe ;; esac
echo "unidesk-run: unidesk $mode $what (${n} vars${policy:+, policy $policy})" >&2
code=0
unidesk "$@" --report "$report" --junit "$junit" || code=$?

if [ "$mode" != run ] && [ -f "$plan_file" ]; then
  unidesk show "$plan_file" --format json > "$out/plan-show.json" 2>/dev/null || rm -f "$out/plan-show.json"
  if [ "$mode" = plan ]; then
    unidesk show "$plan_file" --format markdown > "$out/plan.md" 2>/dev/null || rm -f "$out/plan.md"
  fi
fi
write_results "$code"
exit "$code"

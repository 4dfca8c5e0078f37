# interop/setup.bash, sourced by interop/run and bench/compare: a temporary
# folder $tmp (removed on exit) holding the JavaScript peer with its pinned
# dependencies and a staffpass binary; `js` and `sp` run them. `loader` holds
# the peer's document loader flags (the contexts staffpass embeds, and the
# staffpass context), `credential` the staff credential both sides use.
export LC_ALL=C
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
start=$EPOCHREALTIME
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
umask 077
# elapsed START: seconds since START (an $EPOCHREALTIME), one decimal.
elapsed() { awk -v s="$1" -v e="$EPOCHREALTIME" 'BEGIN { printf "%.1f", e - s }'; }

interop/install "$tmp/js"
go build -o "$tmp/staffpass" ./cmd/staffpass
sp() { "$tmp/staffpass" "$@"; }

# The loader of the peer serves the contexts staffpass embeds, nothing else.
loader=(--contexts "$repo/internal/ld/contexts")
staffctx=internal/ld/contexts/w3id.org/staffpass/v1.jsonld
if [[ -f $staffctx ]]; then
  loader+=(--context "https://w3id.org/staffpass/v1=$repo/$staffctx")
else
  staffctx=
fi
js() { node "$tmp/js/peer.mjs" "$@"; }

# The staff credential: a DBS check from testdata/staff/valid when there is one.
credential=interop/staff-credential.json
if [[ -d testdata/staff/valid ]]; then
  credential=$(find testdata/staff/valid -name '*.json' | sort | awk '
    /dbs/ { print; found = 1; exit } NR == 1 { first = $0 }
    END { if (!found) print (first ? first : "interop/staff-credential.json") }')
fi
echo "credential: $credential${staffctx:+ (staff context $staffctx)}"

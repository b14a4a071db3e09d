#!/usr/bin/env bash
# Builds the cjm npm package: pkg/web (ES module for browsers and bundlers) and pkg/node
# (CommonJS for Node.js), both optimised with wasm-opt from the npm `binaryen` package.
#
# Needs: rustup with the wasm32-unknown-unknown target, `wasm-bindgen` on PATH at the
# version of the wasm-bindgen crate in Cargo.lock, and `npm ci` done in cjm-wasm/.
# Do not use Debian's wasm-opt (binaryen 108): it produces broken wasm for this module.
set -euo pipefail

crate_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
repo_root="$(cd "$crate_dir/.." && pwd)"
cd "$repo_root"

rustup target add wasm32-unknown-unknown >/dev/null 2>&1 || true

want="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)"
have="$(wasm-bindgen --version | awk '{ print $2 }')"
if [[ -n "$want" && "$want" != "$have" ]]; then
    echo "error: wasm-bindgen CLI is $have but Cargo.lock has wasm-bindgen $want;" >&2
    echo "       cargo install wasm-bindgen-cli --version =$want" >&2
    exit 1
fi

wasm_opt="$crate_dir/node_modules/.bin/wasm-opt"
if [[ ! -x "$wasm_opt" ]]; then
    echo "error: $wasm_opt not found; run 'npm ci' in cjm-wasm/" >&2
    exit 1
fi

cargo build -p cjm-wasm --lib --target wasm32-unknown-unknown --profile release-wasm
target_dir="$(cargo metadata --format-version 1 --no-deps | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).target_directory))')"
wasm="$target_dir/wasm32-unknown-unknown/release-wasm/cjm_wasm.wasm"

for target in web node; do
    out="$crate_dir/pkg/$target"
    rm -rf "$out"
    bindgen_target="$target"
    [[ "$target" == node ]] && bindgen_target=nodejs
    wasm-bindgen --target "$bindgen_target" --remove-producers-section --out-dir "$out" "$wasm"
done

# The module is built for the MVP feature set plus what rustc enables by default.
optimise() {
    "$wasm_opt" -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
        --enable-sign-ext --enable-mutable-globals --enable-reference-types \
        --enable-multivalue "$1" -o "$1"
}
# wasm-bindgen writes the same module for both targets (only the JavaScript glue
# differs), and `wasm-opt -Oz` takes minutes: optimise it once when they are the same.
web_wasm="$crate_dir/pkg/web/cjm_wasm_bg.wasm"
node_wasm="$crate_dir/pkg/node/cjm_wasm_bg.wasm"
if cmp -s "$web_wasm" "$node_wasm"; then
    optimise "$web_wasm"
    cp "$web_wasm" "$node_wasm"
else
    optimise "$web_wasm"
    optimise "$node_wasm"
fi

# pkg/node is CommonJS although the package is "type": "module".
echo '{ "type": "commonjs" }' > "$crate_dir/pkg/node/package.json"

opt="$crate_dir/pkg/web/cjm_wasm_bg.wasm"
raw=$(wc -c < "$opt")
gz=$(gzip -9 -c "$opt" | wc -c)
printf 'cjm_wasm_bg.wasm (optimised): %s bytes raw, %s bytes gzip -9\n' "$raw" "$gz"

# The size guard: at most 5 % over the committed figures (cjm-wasm/size-budget.txt).
budget="$crate_dir/size-budget.txt"
over=0
for kind in raw gzip; do
    # The last figure of each kind is the one in force (earlier ones are history).
    limit=$(awk -v k="$kind" '$1 == k { v = $2 } END { print v }' "$budget")
    if [[ ! "$limit" =~ ^[0-9]+$ ]]; then
        echo "error: no \`$kind <bytes>\` line in cjm-wasm/size-budget.txt" >&2
        exit 1
    fi
    size=$raw
    [[ "$kind" == gzip ]] && size=$gz
    if (( size * 100 > limit * 105 )); then
        echo "error: the optimised module is $size bytes $kind, more than 5 % over the" \
            "committed $limit (cjm-wasm/size-budget.txt): find what grew, or raise the" \
            "figure in the commit that adds the weight, saying what it buys" >&2
        over=1
    fi
done
(( over == 0 ))

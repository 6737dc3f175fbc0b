#!/bin/sh
# packaging.sh - builds the Debian packages with CPack and checks what they hold: the
# programs (which run, from the unpacked package), the systemd unit, the config file as a
# conffile, the postinst that makes the service's user, and the declared dependencies.
# usage: packaging.sh BUILD_DIR SOURCE_DIR
set -u
BUILD=$1
SRC=$2
. "$SRC/tests/integration/lib.sh"
command -v dpkg-deb >/dev/null || { echo "skip: dpkg-deb is missing (packaging/install-deps installs it)"; exit 77; }

( cd "$LOGDIR" && cpack -G DEB --config "$BUILD/CPackConfig.cmake" -B "$LOGDIR/pkg" ) >"$LOGDIR/cpack.out" 2>&1 ||
    { not_ok "cpack"; cat "$LOGDIR/cpack.out"; finish; }
C=$(ls "$LOGDIR"/pkg/dieutra-collector_*.deb 2>/dev/null)
S=$(ls "$LOGDIR"/pkg/dieutra-syncd_*.deb 2>/dev/null)
[ -n "$C" ] && [ -n "$S" ] && ok || { not_ok "both packages built"; ls -R "$LOGDIR/pkg"; finish; }

dpkg-deb -c "$C" >"$LOGDIR/c.list"
dpkg-deb -c "$S" >"$LOGDIR/s.list"
for f in ./usr/bin/collector ./usr/share/doc/dieutra-collector/collector.md; do
    grep -q " $f\$" "$LOGDIR/c.list" && ok || not_ok "collector package lacks $f"
done
for f in ./usr/bin/syncd ./etc/dieutra/syncd.conf ./usr/lib/systemd/system/syncd.service; do
    grep -q " $f\$" "$LOGDIR/s.list" && ok || not_ok "syncd package lacks $f"
done
dpkg-deb -I "$S" conffiles | grep -qx "/etc/dieutra/syncd.conf" && ok || not_ok "syncd.conf is not a conffile"
dpkg-deb -I "$S" postinst | grep -q "adduser --system" && ok || not_ok "postinst does not make the user"
dpkg-deb -f "$S" Depends | grep -q "libmicrohttpd" && ok || not_ok "syncd does not depend on libmicrohttpd"
dpkg-deb -f "$C" Depends | grep -q "libcurl" && ok || not_ok "collector does not depend on libcurl"

# The unpacked programs run.
dpkg-deb -x "$C" "$LOGDIR/root"
dpkg-deb -x "$S" "$LOGDIR/root"
"$LOGDIR/root/usr/bin/collector" --version | grep -q '^collector ' && ok || not_ok "packaged collector runs"
"$LOGDIR/root/usr/bin/syncd" --version | grep -q '^syncd ' && ok || not_ok "packaged syncd runs"
grep -q '^ExecStart=/usr/bin/syncd serve' "$LOGDIR/root/usr/lib/systemd/system/syncd.service" && ok ||
    not_ok "unit's ExecStart"
finish

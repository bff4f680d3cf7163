#!/bin/sh
# t0425 - an entry over 4 GiB (pack.c through xexport): the zip
# has the Zip64 fields and opens.  The records are repetitive, so the zip
# itself is small (about 28 MB at level 1) and the input is a pipe; the
# exact bytes are t0420's, on a smaller input.
. "$(dirname "$0")/lib.sh"
X=$BIN/helpers/xexport
cd "$T" || exit 1
exec < /dev/null
SIZE=4400000000		# over 2^32 = 4294967296

ok "4.4 GB through a pipe, level 1" sh -c "yes 'id,name,amount,a note that repeats' |
    head -c $SIZE | '$X' -z Big.csv big.zip -l 1"
ok "7z t checks its CRC" sh -c '7z t big.zip > 7zt.log'
7z l -slt big.zip > slt.txt
is "$(sed -n 's/^Size = //p' slt.txt)" "$SIZE" "7z reads the 64-bit size"
is "$(/usr/bin/python3 -c 'import sys, zipfile, struct
i = zipfile.ZipFile(sys.argv[1]).infolist()[0]
e, ids = i.extra, []
while len(e) >= 4:
	k, n = struct.unpack("<HH", e[:4]); ids.append(k); e = e[4 + n:]
print(i.filename, i.file_size, 1 in ids)' big.zip)" "Big.csv $SIZE True" \
    "python's zipfile: the name, the size, a Zip64 extra field"
done_testing

#!/bin/sh
# t0185 - xspool types lists the configured export types (formats,
# parameters with their types, program or database with its password
# masked, timeout), as text and --json; an unknown type's error names the
# known ones, in the CLI and in the REST answer (still 404
# UNKNOWN_EXPORT_TYPE).
. "$(dirname "$0")/lib.sh"

mkconf <<EOF2
[type Invoices]
command = /bin/echo hello world
emits = csv
formats = CSV
params = from:date, to:date?, clinic:int?, note
timeout = 90s

[type Free]
command = /bin/true
emits = jsonl
formats = JSON,CSV

[type Ledger]
database = postgresql://bob:s3cretpw@db.example.com:5432/acc?sslmode=require&password=other2
query = SELECT 1 WHERE :y = :y
params = y:int
EOF2
chmod 600 "$CONF"
X="xspool -c $CONF"
py=/usr/bin/python3

$X types > "$T/types"
is "$?" 0 "types: exit 0"
is "$(grep -c '^[A-Z]' "$T/types")" 3 "three types listed"
ok "formats" grep -q '^  formats:  CSV$' "$T/types"
ok "parameters with types and optional ones" \
    grep -q '^  params:   from (date), to (date, optional), clinic (int, optional), note (string)$' "$T/types"
ok "a type without a params line takes any" grep -q 'any (none declared)' "$T/types"
ok "the program and its arguments" grep -q '^  program:  /bin/echo hello world$' "$T/types"
ok "the timeout" grep -q '^  timeout:  90s$' "$T/types"
ok "the database, shown" grep -q '^  database: postgresql://bob:\*\*\*@db.example.com:5432/acc?sslmode=require&password=\*\*\*$' "$T/types"
nok "no password anywhere" grep -q 's3cretpw\|other2' "$T/types"

$X types --json > "$T/json"
is "$?" 0 "types --json: exit 0"
is "$($py -c '
import json, sys
t = {x["name"]: x for x in json.load(open(sys.argv[1]))}
i = t["Invoices"]
print(i["formats"], [(p["name"], p["type"], p["optional"]) for p in i["params"]],
    i["program"], i["timeoutMs"], t["Free"]["params"], t["Free"]["formats"],
    t["Ledger"]["database"], "program" in t["Ledger"])' "$T/json")" \
    "['CSV'] [('from', 'date', False), ('to', 'date', True), ('clinic', 'int', True), ('note', 'string', False)] ['/bin/echo', 'hello', 'world'] 90000 None ['JSON', 'CSV'] postgresql://bob:***@db.example.com:5432/acc?sslmode=require&password=*** False" \
    "--json: the same, typed"
nok "--json: no password" grep -q 's3cretpw\|other2' "$T/json"

# unknown types
$X submit Nope > /dev/null 2> "$T/err"
is "$?" 2 "submit Nope: exit 2"
is "$(cat "$T/err")" "xspool: submit: unknown export type Nope (known: Invoices, Free, Ledger)" \
    "submit Nope: names the known types"
$X submit ../etc > /dev/null 2> "$T/err"
ok "an illegal type name is not repeated" \
    grep -q 'unknown export type (known: Invoices, Free, Ledger)' "$T/err"

# the REST shim's answer says the same, with the same code
. "$TOP/tests/openapi/httpd.sh"
hconf
A=$(newkey erp)
hstart
req POST "/api/v1/ExportRequest/Nonesuch" -H "X-Api-Key: $A"
errcheck 404 UNKNOWN_EXPORT_TYPE "REST: still 404 UNKNOWN_EXPORT_TYPE"
is "$(jf .Message)" "unknown export type Nonesuch (known: Patients, Invoices, Appointments)" \
    "REST: the message names the known types"
stop httpd
done_testing

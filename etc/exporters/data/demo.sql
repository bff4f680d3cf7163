-- demo.sql - the demo data set as a SQLite database, for the demo export
-- types that are queries (etc/xspool.conf): `make` runs
--   sqlite3 demo.db < demo.sql
-- in this directory.  Columns carry the types xspool-sql writes (BOOLEAN,
-- JSON, NUMERIC); an empty TSV field is NULL; "\n" in a field is a line
-- break (see README).
CREATE TABLE patients (id INTEGER PRIMARY KEY, first_name TEXT,
    last_name TEXT, birth_date DATE, sex TEXT, email TEXT, phone TEXT,
    city TEXT, insurer TEXT, registered DATE, note TEXT);
CREATE TABLE appointments (id INTEGER PRIMARY KEY, patient_id INTEGER,
    patient TEXT, start TEXT, duration_min INTEGER, dentist TEXT,
    room TEXT, status TEXT, note TEXT);
CREATE TABLE treatments (id INTEGER PRIMARY KEY, appointment_id INTEGER,
    patient_id INTEGER, date DATE, code TEXT, description TEXT,
    tooth INTEGER, surface TEXT, price NUMERIC, insured BOOLEAN,
    materials JSON);
CREATE TABLE invoices (number TEXT PRIMARY KEY, patient_id INTEGER,
    patient_name TEXT, issued DATE, due DATE, amount NUMERIC,
    vat_rate NUMERIC, currency TEXT, paid BOOLEAN, paid_on DATE, note TEXT);
.mode tabs
.import --skip 1 patients.tsv patients
.import --skip 1 appointments.tsv appointments
.import --skip 1 treatments.tsv treatments
.import --skip 1 invoices.tsv invoices
UPDATE patients SET note = NULLIF(replace(note, '\n', char(10)), '');
UPDATE appointments SET note = NULLIF(replace(note, '\n', char(10)), '');
UPDATE treatments SET tooth = NULLIF(tooth, ''),
    surface = NULLIF(surface, ''), insured = (insured = 'true');
UPDATE invoices SET paid = (paid = 'true'), paid_on = NULLIF(paid_on, ''),
    note = NULLIF(replace(note, '\n', char(10)), '');

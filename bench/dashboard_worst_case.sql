-- The dashboard's worst case on a COPY of the bench clinic (never haven_bench itself):
--   createdb -T haven_bench haven_bench_dashboard && psql haven_bench_dashboard -f bench/dashboard_worst_case.sql
--   python -m bench --database-url postgres:///haven_bench_dashboard --pages dashboard --threads 1
-- Make the copy of the bench clinic a worst case for the dashboard: every questionnaire window closed,
-- one patient in seven on an opioid (morphine, 15 to 120 MME/day), and safety records for some of them.
BEGIN;
UPDATE measures_response SET completed_at = completed_at - interval '430 days', started_at = started_at - interval '430 days';
UPDATE measures_measuresummary SET baseline_at = baseline_at - interval '430 days', latest_at = latest_at - interval '430 days';
INSERT INTO careplans_medication (public_id, drug_code, drug_class, strength, strength_unit, form, units_per_dose, doses_per_day,
  is_prn, outside_prescriber, started_on, stop_reason, reason, pain_type_targeted, benefit, side_effects, created_at, updated_at,
  version, patient_id, route)
SELECT gen_random_uuid(), 'morphine', 'opioid', 5 * (1 + p.id % 8), 'mg', 'tablet', 1, 3, false, '', current_date - 200, '', 'Pain', '', '', '',
  now(), now(), 1, p.id, 'oral'
FROM patients_patient p WHERE p.id % 7 = 0;
INSERT INTO careplans_naloxonerecord (patient_id, status, "on", note, by_id, at)
SELECT p.id, 'prescribed', current_date - 30, '', 1, now() FROM patients_patient p WHERE p.id % 14 = 0;
INSERT INTO careplans_drugscreen (patient_id, collected_on, expected_findings, unexpected_findings, action_taken, recorded_by_id, recorded_at)
SELECT p.id, current_date - (p.id % 500)::int, '', '', '', 1, now() FROM patients_patient p WHERE p.id % 7 = 0;
INSERT INTO careplans_pdmpcheck (patient_id, checked_on, findings, recorded_by_id, recorded_at)
SELECT p.id, current_date - (p.id % 150)::int, '', 1, now() FROM patients_patient p WHERE p.id % 7 = 0;
COMMIT;
ANALYZE;

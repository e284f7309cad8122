"""Medication list, opioid safety and taper pages, under patients/<uuid>/plan/ (namespace "medications"), and the
clinic's opioid policy page: ``lines`` (the medication list and its lines), ``safety`` (the opioid-safety page
and its records), ``tapers`` and ``policy``; ``common`` holds what they share. The chart's section is read by
medications.selectors.pages.chart_section.

Every view finds the patient through ``get_patient_for_user`` first (404 for outsiders), then checks what the
person may do (a clear refusal page, 403, for the rest), and writes an audit event for every page shown; the
services write the audit event of every change. Every page runs a constant number of queries whatever the
length of the history (lists are bounded: medications/selectors/pages.py).
"""

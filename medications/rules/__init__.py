"""The clinical rules of medications and opioid safety, kept pure: no ORM, no settings, no Django, no clock.

Each module takes plain values (numbers, dates, codes, mappings) and returns plain values, so it is tested with
tables of cases and reads like the guideline it follows (../shared/clinical/REFERENCE.md section 2, CDC 2022):

- ``drugs``: the maintained drug list, with each drug's class and MME code.
- ``routes``: the routes a line can have and when its drug, form and route agree (the app's rules).
- ``mme``: morphine milligram equivalents of a regimen (Contract 2) and the MME flags.
- ``safety``: which opioid-safety flags apply and the guideline's words for each, acknowledgements, opioid trials,
  monitoring due dates, closer monitoring and taper follow-ups.
- ``tapering``: the taper planner (a dated, slow schedule; never an abrupt stop) and its checks (its chart is
  drawn in medications/taper_chart.py).

The services and selectors read the database and call these; tests/medications/test_rules_are_pure.py checks
that no module here imports anything but the standard library and its neighbours.
"""

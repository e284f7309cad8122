"""The demo clinic: `manage.py seed_demo` and `manage.py demo_welcome`, and one module per part of its data.

clinic.py holds the staff, the patients with their care teams, and the demo patient's link; every other
module builds on its numbering (`demo_mrn`): history.py (questionnaires), charts.py and intakes.py (patients),
plans.py and logs.py (care plans), medications.py, referrals.py, duty.py, team.py and two_step.py (clinic).
No models: the app exists so that Django finds the two commands.
"""

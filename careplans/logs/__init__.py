"""The patient's daily logs (check-ins), pacing plans and sessions, and the flare-up plan: the parts of the care
plan the patient keeps up between visits. Their models are in careplans/models.py (app label "careplans").

- ``pacing``: pacing (graded activity) schedules, pure: no database, no Django (tests/careplans/test_pacing.py).
- ``charts``: the check-in and pacing charts, drawn by the one chart engine (charts/).
- ``selectors``: the reads behind the charts, the plan page's section, the sprint review and the portal.
- ``services``: the workflows that write; those staff call check ``may_edit_plan`` themselves (``Refused``).
- ``forms``, ``views`` and ``urls``: the clinician's pages (namespace "careplans", under the plan's address);
  the patient's pages that use these are in portal/plan_views.py.
"""

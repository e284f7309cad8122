"""The reads behind the pages, the chart section and the banner: no writes, and a constant number of queries
each (said per function), whatever the length of a patient's history.

- ``regimen``: the current regimen's MME/day and safety flags (the banner, the chart, the pages, the sweep).
- ``monitoring``: what monitoring is due, the clinic's policy in force, an opioid trial's state.
- ``tapers``: a saved taper as the planner's schedule, and what in a taper or a dose needs a reason.
- ``pages``: what each page and the chart section show.
"""

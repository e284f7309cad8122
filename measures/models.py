"""Instrument definitions, schedules, invitations, responses, alerts and trends.

Empty until the outcome-measures issue lands; the app exists so the layout is stable.
"""

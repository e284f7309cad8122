"""Stepped-care plans, goals, sprints, flare-up and pacing plans, medications and opioid safety.

Empty until the care-plan and medication issues land; the app exists so the layout is stable.
"""

"""The workflows that write: medication lines (``lines``), the opioid-safety records (``opioid_safety``), tapers
(``tapers``) and the daily monitoring sweep with its team tasks (``monitoring``).

Every function that writes takes a patient (or a row of one) already obtained through
``clinic.access.get_patient_for_user`` for the same person (outsiders have had their 404), checks who may do it
itself (clinic/access/medication_lines.py: ``Refused``), runs in one transaction and writes its audit event there.
Audit targets name the kind of record, never its content. The reads behind the pages are in
medications/selectors/; the clinical rules they apply are pure, in medications/rules/.

What a workflow raises besides ``Refused`` is defined here.
"""


class StaleEdit(Exception):
    """The record changed since the form was opened (optimistic locking); nothing was saved."""

    def __init__(self, current):
        super().__init__("The record was changed by someone else.")
        self.current = current


class ReasonRequired(ValueError):
    """A taper faster than its rate, or a stop from above the policy's MME, needs a recorded reason."""


class AlreadyExists(ValueError):
    """One active taper per patient: a second one is refused until the first is completed or stopped."""

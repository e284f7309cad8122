"""Portal sessions: who may end a patient's portal sessions (a lost phone, a shared device).

Anyone who may see the patient may end their sessions: it only ever signs the patient out, and the
patient signs in again with any new link (the app's own rule). Outsiders get a 404, as for the patient.
"""

from clinic.access.patients import may_see_patient


def may_end_portal_sessions(user, patient) -> bool:
    return may_see_patient(user, patient)

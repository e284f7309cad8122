"""Haven's doors to the outside: FHIR R4 out (API and bulk export) and in, the clinic's outcomes and
safety dashboard, and the de-identified research export."""

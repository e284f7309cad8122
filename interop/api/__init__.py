"""The FHIR read API under /fhir/ and the clients an admin issues for it.

- clients.py: issuing and revoking clients (services); client_forms.py, client_views.py, client_urls.py: the
  admin's pages.
- bearer.py: who is asking (the bearer token), and the per-client rate limit.
- outcomes.py: FHIR JSON responses and OperationOutcomes; capability.py: the CapabilityStatement.
- paging.py: keyset paging over one or more row sources, with signed page links.
- reads.py: what a request may read, and its audit; views.py, urls.py: the endpoints.

The resources themselves come from interop.fhir.registry (the mapping).
"""

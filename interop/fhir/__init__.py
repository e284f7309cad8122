"""FHIR R4 out: one module per group of resources maps Haven's rows to FHIR resources (JSON-ready dicts), and
`registry` lists every resource type with the rows it is made from. The bulk export (`export`) and the read API
both read the registry, so a resource looks the same whichever way it leaves."""

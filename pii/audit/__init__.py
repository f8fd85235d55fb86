"""The access log (docs/audit.md): who saw or changed which customer's data,
when and why. `services.audit_record` writes one event; `context` says who is
acting; `actions` and `purposes` are the documented vocabularies."""

"""The access log (docs/audit.md): who saw or changed which customer's data,
when and why. Recording (`services.audit_record`, `context`, `actions`,
`purposes`), sealing into a verifiable hash chain (`chain`, `sealing`,
`verify`), reading (`selectors`) and removing expired segments (`retention`)."""

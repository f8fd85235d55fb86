"""The access log (docs/audit.md): recording events (services, context, actions),
sealing them into a verifiable hash chain (chain, sealing, verify), reading them
(selectors) and removing expired segments (retention)."""

"""The managers' read-only web view: `create_app(settings)` (app.py), served by waitress from
`dossiers serve` (cli/web.py). It calls the same services as the CLI, never the store."""

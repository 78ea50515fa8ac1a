from dossiers.cli import main

main()

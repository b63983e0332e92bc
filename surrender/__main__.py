from surrender.cli import main

main()

from govhub.cli import main

main()

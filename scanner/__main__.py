from scanner.entry import main

main()

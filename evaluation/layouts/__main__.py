from evaluation.layouts.campaign import main

main()

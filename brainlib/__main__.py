from brainlib.cli import main

raise SystemExit(main())

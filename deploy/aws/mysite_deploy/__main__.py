import sys

from mysite_deploy.cli import main

sys.exit(main())

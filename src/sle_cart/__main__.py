import os
import sys
import threading

from .book.artefacts import THREAD
from .cli import main

code = main()
if any(t.name == THREAD and t.is_alive() for t in threading.enumerate()):
    # A build that failed or was interrupted leaves its figure thread drawing, in native code
    # (vl-convert's V8, typst) that aborts the process if the interpreter shuts down around it:
    # the exit status would be SIGABRT's, not this one.  Its cache folder is half-written and
    # named after this process; the next build removes it.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
sys.exit(code)

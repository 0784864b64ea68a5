"""What runs inside the Rasa process (the Rasa environment, Python 3.10, rasa 3.6.21).

The tracker store named in endpoints.yml and Rasa's command line with a faster check of the
action server's answers. Nothing here imports core or the other packages: the Rasa environment
does not install them, and Rasa reaches the front door only through the action server's HTTP API.
"""

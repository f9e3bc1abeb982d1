"""What authors and CI run, apart from what learners import: learner code never imports this package.

    standin/        an OpenAI-compatible stand-in server, one module per endpoint (tests; synthesized recordings)
    build           `python -m helpers.authoring.build`: navigation, recordings, stored outputs, the facts page
    navigation      lesson headers, footers, launch links and the README's contents
    classroom       schedules and nbgitpuller links (`python -m helpers.authoring.classroom`)
    factsheet       docs/model-facts.md: the model facts and what each recording rests on
    secrets         the scan for keys and auth headers (tests, pre-commit)
    pytest_offline  the pytest plugin: tests and nbval kernels run offline with no key
"""

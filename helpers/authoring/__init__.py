"""What authors and CI run, apart from what learners import: learner code never imports this package.

    standin/        an OpenAI-compatible stand-in server, one module per endpoint (tests; synthesized recordings)
    build           `python -m helpers.authoring.build`: navigation, recordings, stored outputs, the facts page
    lesson          what every lesson needs, checked at once, and `build new`'s skeleton of a new one
    navigation      lesson headers, footers, launch links and the README's contents
    figures         the prices, costs and token counts lesson prose states, written from code
    timing          lesson minutes, from what each lesson holds
    factsheet       docs/model-facts.md: the model facts and what each recording rests on
    classroom       schedules and nbgitpuller links (`python -m helpers.authoring.classroom`)
    sizing          a class's hub, proxy and guide numbers, derived from its size
    wheels          a wheelhouse for a venue with no network
    lock            the locks of the whole environment (`python -m helpers.authoring.lock`)
    pdf             the small PDF lesson 14 sends
    secrets         the scan for keys and auth headers (tests, pre-commit)
    pytest_offline  the pytest plugin: tests and nbval kernels run offline with no key
"""

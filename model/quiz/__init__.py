"""Quiz mode: the engine (`engine`: make_quiz, Quiz, Question), the types the mechanisms give it
(`draft`: Drill, Ctx, Draft) and the reverse-quiz summary (`summary`). The drills, their questions and
their phrases come from the mechanisms through the registry; nothing here names a mechanism."""

"""The quiz app on name-cache quiz seed 7, for the quiz's snapshot test."""

from model.quiz.engine import make_quiz
from viz.quiz import QuizApp

app = QuizApp(make_quiz(7, "namecache", 6))

if __name__ == "__main__":
    app.run()

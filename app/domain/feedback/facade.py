"""Every use case of feedback, feedback requests and surveys, for one caller."""

from __future__ import annotations

from app.domain.feedback.requests import RequestUseCases
from app.domain.feedback.service import FeedbackUseCases
from app.domain.feedback.surveys import SurveyUseCases


class Feedbacks(FeedbackUseCases, RequestUseCases, SurveyUseCases):
    pass

-- The build year's births (live births and stillbirths from 24 weeks), one row per child,
-- with indicator flags, breakdown categories and the gemeente in the target classification.
{{ birth_records(build_year(), build_year(), target_classification_year()) }}

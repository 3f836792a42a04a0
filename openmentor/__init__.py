"""OpenMentor: an open-source, self-hostable virtual mentoring platform."""

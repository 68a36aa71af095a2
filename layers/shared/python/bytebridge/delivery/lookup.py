"""Finding a project by id alone: events and scheduled jobs know only ids; tenancy is checked by callers."""

from bytebridge.dal.projects import ProjectModel


def find_project(project_id: str) -> ProjectModel | None:
    """The project with this id (any status), read strongly from the table after the id index lookup."""
    for hit in ProjectModel.project_id_index.query(project_id, limit=1):
        try:
            return ProjectModel.get(hit.user_id, hit.project_id, consistent_read=True)
        except ProjectModel.DoesNotExist:
            return None
    return None

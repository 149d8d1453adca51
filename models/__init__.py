from . import reminder_document_type
from . import res_partner
from . import ir_mail_server
from . import mail_mail

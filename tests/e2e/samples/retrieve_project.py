import requests
import json
import hashlib
import time

url = 'http://api.bytebridge.io:20000/api/v1/projects/retrieveProject'
secret_key = "test_78pbttim3mykypuoswidgzor6fv1u2rj"
user_id = "U_10BF4B46DD4811EA93476C96CFDDE73D"

def get_sig_str(headers, body):
    sign_str = '''userID=%s&Body=%s&SignType=md5&Timestamp=%s&secretKey=%s''' % (user_id, body, headers['Timestamp'],secret_key)
    return hashlib.md5(sign_str.encode()).hexdigest().upper()

def retrieve_project():
    headers = {"Content-Type": "application/json", "Timestamp": str(int(time.time() * 1000)), "SignType": 'md5', "RequestSign": ''}
    body = {
        "userId": "U_10BF4B46DD4811EA93476C96CFDDE73D",
        "params": {
            "projectId": "p272_TJMngfdY",
        }
    }
    body = json.dumps(body)

    headers["RequestSign"] = get_sig_str(headers, body)
    res = requests.post(url, data=body, headers=headers)

    try:
        print(json.dumps(json.loads(res), indent=4))
    except:
        print(res.text)
retrieve_project()

// Command org-invitation-revoke is the Lambda function of the portal route "org-invitation-revoke".
package main

import "github.com/bank/devportal/shared/app"

func main() { app.StartHTTP("org-invitation-revoke") }

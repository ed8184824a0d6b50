// Command org-invitation-resend is the Lambda function of the portal route "org-invitation-resend".
package main

import "github.com/bank/devportal/shared/app"

func main() { app.StartHTTP("org-invitation-resend") }

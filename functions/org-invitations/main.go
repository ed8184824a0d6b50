// Command org-invitations is the Lambda function of the portal route "org-invitations".
package main

import "github.com/bank/devportal/shared/app"

func main() { app.StartHTTP("org-invitations") }

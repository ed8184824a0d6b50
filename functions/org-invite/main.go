// Command org-invite is the Lambda function of the portal route "org-invite".
package main

import "github.com/bank/devportal/shared/app"

func main() { app.StartHTTP("org-invite") }

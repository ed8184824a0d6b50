// Command org-owner is the Lambda function of the portal route "org-owner".
package main

import "github.com/bank/devportal/shared/app"

func main() { app.StartHTTP("org-owner") }

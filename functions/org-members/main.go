// Command org-members is the Lambda function of the portal route "org-members".
package main

import "github.com/bank/devportal/shared/app"

func main() { app.StartHTTP("org-members") }

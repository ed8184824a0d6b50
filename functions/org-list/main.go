// Command org-list is the Lambda function of the portal route "org-list".
package main

import "github.com/bank/devportal/shared/app"

func main() { app.StartHTTP("org-list") }
